"""Fleet management: the ops server (``ops/``) and the kiosk's agent (``agent/``).

``protocol`` is what both sides share: canonical JSON, Ed25519 keys, the signed
request headers and the signed configuration bundle.
"""
