-- The lake, read-only, for a client other than cdclake: bronze.*, silver.*, gold.* after USE.
ATTACH {{catalog}} AS {{alias}} (DATA_PATH {{data_path}}, READ_ONLY);
USE {{alias}};
