INSERT INTO cdclake_probe (id) VALUES ($1);
