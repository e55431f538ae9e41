"""Pictures of counts over time, for the digest, the facilitator and a member's /stats."""
