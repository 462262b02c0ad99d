-- The freshness bench's databases go when it ends (the demo keeps its own: it says where its lake is).
DROP DATABASE IF EXISTS {{database}} WITH (FORCE);
