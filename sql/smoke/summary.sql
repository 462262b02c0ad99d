SELECT count(*)::INTEGER AS keys, sum(total_amount)::VARCHAR AS total FROM lake.smoke.{{table}};
