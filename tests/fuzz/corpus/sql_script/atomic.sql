CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;
CREATE TABLE t (a varchar(3) CHECK (a IN ($$x$$, E'\\'')), b int);
\connect x
