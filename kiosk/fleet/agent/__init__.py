"""The kiosk side of the fleet: provisioning, the configuration agent, heartbeats."""
