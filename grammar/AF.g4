// AF.g4 - grammar of the .af language.
//
// The grammar only checks syntax. It is deliberately uniform: architectures,
// workloads, mappings, mapper settings and studies are all *blocks*
// (`kind name : class (args) { statements }`) whose allowed fields are checked
// by the compiler's schemas (compiler/sema), so a misspelt field gets a
// "did you mean" diagnostic rather than a parse error. Only constructs whose
// shape is special get their own rule: parameters, imports, compile-time
// `let`/`for`/`if`/`assert`, Einsums and sweeps.
grammar AF;

file        : topItem* EOF ;

// Entry point for `-D NAME=VALUE` values and other standalone expressions.
exprOnly    : expr EOF ;

topItem     : importDecl
            | paramDecl
            | stmt
            ;

importDecl  : 'import' STRING ';' ;

// `param N_EINSUMS;` is required; `param M = 128;` has a default;
// `param N_CACHED_TOKENS if DECODE;` is required only when the condition
// holds. All can be set with `-D NAME=VALUE` or by a study's `params` block.
paramDecl   : 'param' IDENT ('=' dflt=expr | 'if' when=expr)? ';' ;

stmt        : 'let' name '=' expr ';'                               # letStmt
            | 'assert' expr (',' STRING)? ';'                       # assertStmt
            | 'for' IDENT 'in' expr body                            # forStmt
            | ifChain                                               # ifStmt
            | 'einsum' (name ':')? expr '=' expr (body | ';')       # einsumStmt
            | 'sweep' sweepAxis ';'                                 # sweepStmt
            | 'sweep' 'zip' '{' (sweepAxis ';')* '}'                # zipSweepStmt
            | path '=' expr ';'                                     # fieldStmt
            | expr ':' expr ';'                                     # entryStmt
            | blockHeader (body | ';')                              # blockStmt
            | expr ';'                                              # exprStmt
            ;

ifChain     : 'if' expr body ('else' (ifChain | body))? ;

body        : '{' stmt* '}' ;

blockHeader : kind=IDENT (name | STRING)? (':' cls=name)? ('(' args? ')')? ;

sweepAxis   : path 'in' expr ;

// A field or sweep target: `size`, `GlobalBuffer.size`, `MAC.multiplier_width`.
path        : name ('.' name)* ;

// `//` starts a comment, so floor division is written `floor(a / b)`.

// Names may be generated: `T${i + 1}`, `Matmul${i}`. The pieces must touch;
// the front end checks that no white space separates them.
name        : IDENT (INTERP_OPEN expr '}' IDENT?)* ;

args        : arg (',' arg)* ;
arg         : (IDENT '=')? expr ;

callArgs    : expr compFor                                          # generatorArgs
            | args                                                  # plainArgs
            ;

compFor     : 'for' IDENT 'in' expr ('if' expr)? ;

indexList   : indexItem (',' indexItem)* ;
// `P: p` projects rank variable expression `p` onto rank `P`.
indexItem   : (IDENT ':')? expr ;

expr        : primary                                               # primaryExpr
            | expr '.' IDENT                                        # memberExpr
            | expr '[' indexList ']'                                # indexExpr
            | expr '(' callArgs? ')'                                # callExpr
            | <assoc=right> expr '**' expr                          # powerExpr
            | op=('-' | '+' | '~') expr                             # unaryExpr
            | expr op=('*' | '/' | '%') expr                        # mulExpr
            | expr op=('+' | '-') expr                              # addExpr
            | expr '&' expr                                         # setAndExpr
            | expr '^' expr                                         # setXorExpr
            | expr '|' expr                                         # setOrExpr
            | expr compOp expr                                      # compareExpr
            | 'not' expr                                            # notExpr
            | expr 'and' expr                                       # andExpr
            | expr 'or' expr                                        # orExpr
            | <assoc=right> expr 'if' expr 'else' expr              # condExpr
            ;

compOp      : '<' | '<=' | '>' | '>=' | '==' | '!=' | 'in' | 'not' 'in' ;

primary     : NUMBER unit=(IDENT | RATE_UNIT)?                      # quantity
            | STRING                                                # string
            | ('true' | 'false')                                    # boolean
            | name                                                  # nameRef
            | '(' expr ')'                                          # paren
            | '[' expr compFor ']'                                  # listComp
            | '[' (expr (',' expr)* ','?)? ']'                      # list
            ;

INTERP_OPEN : '${' ;
// A data rate written as one word, `25.6 GB/s`: a unit after a number. The
// longest match wins, so `B/s` between names is this token (an error that
// says to put spaces around the `/`), and RATE_LIKE keeps `B/seq_len` from
// splitting into a rate and a name.
RATE_UNIT   : DATA_UNIT '/s' ;
RATE_LIKE   : DATA_UNIT '/s' [A-Za-z0-9_]+ ;
fragment DATA_UNIT : 'bit' | 'bits' | 'kbit' | 'Mbit' | 'Gbit' | 'Kibit'
                   | 'Mibit' | 'Gibit' | 'B' | 'kB' | 'MB' | 'GB' | 'KiB'
                   | 'MiB' | 'GiB' ;
IDENT       : [A-Za-z_] [A-Za-z0-9_]* ;
NUMBER      : DIGITS ('.' DIGITS?)? EXPONENT?
            | '.' DIGITS EXPONENT?
            ;
fragment DIGITS   : [0-9] ('_'? [0-9])* ;
fragment EXPONENT : [eE] [+-]? [0-9]+ ;
STRING      : '"' (~["\\\r\n] | '\\' .)* '"' ;

LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS            : [ \t\r\n]+ -> skip ;
// Anything else becomes one bad token so the parser reports it with a location
// instead of the lexer printing to stderr.
BAD_CHAR    : . ;
