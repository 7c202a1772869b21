"""Personal data across apps: erasing a person on request (`peerdiag erase_person`) and the
subject access export (`peerdiag subject_access`).

It holds no models of its own: it reads and rewrites records of every domain app, so it sits
above them all. Each app's own retention step stays in that app."""
