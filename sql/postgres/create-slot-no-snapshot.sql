-- Replication protocol command: a pgoutput slot without an exported snapshot (the incremental snapshot
-- reads the tables beside the stream, between watermarks).
CREATE_REPLICATION_SLOT {{slot}} LOGICAL pgoutput (SNAPSHOT 'nothing');
