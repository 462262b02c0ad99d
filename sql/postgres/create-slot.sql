-- Replication protocol command: a pgoutput slot and a snapshot exported at its consistent point.
CREATE_REPLICATION_SLOT {{slot}} LOGICAL pgoutput (SNAPSHOT 'export');
