"""peerdiag: LGA children's services remote peer diagnostics."""
