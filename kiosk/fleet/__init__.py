"""Fleet management: the ops server (``ops/``) and the kiosk's agent (``agent/``).

``protocol`` is what both sides share: canonical JSON, Ed25519 keys, the signed
request headers and the signed configuration bundle.
"""

# A provisioned kiosk's identity, relative to its data dir. Here, not in agent/identity,
# so the kiosk can ask "am I provisioned?" without importing the agent (requests,
# cryptography: ~0.3 s that would delay the first frame).
IDENTITY_FILE = "fleet/identity.json"
