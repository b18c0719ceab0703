-- Remote actors' Ed25519 `assertionMethod` keys (FEP-521a), which verify object integrity proofs
-- (FEP-8b32): JSON `[[key id, publicKeyMultibase], …]`, replaced whenever the actor is fetched.
ALTER TABLE actors ADD COLUMN ed25519_keys TEXT NOT NULL DEFAULT '[]';
