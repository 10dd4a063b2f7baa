/* unterminated comment ; 
 -- x
 SELECT $tag$ ; 