Persistent
Persistent(true)
