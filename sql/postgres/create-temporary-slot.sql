-- Replication protocol command: a temporary slot (gone with its connection) whose only purpose is an
-- exported snapshot with an exact consistent point, to take a snapshot again beside an existing slot.
CREATE_REPLICATION_SLOT {{slot}} TEMPORARY LOGICAL pgoutput (SNAPSHOT 'export');
