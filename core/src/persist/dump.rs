//! DUMP and RESTORE payloads (filled in with those commands).
