"""Documents the kiosk prints or receives: receipts, certificates and their signed QR tokens."""
