// numbers, strings and comments
0x1F println
0xff println
1e3 println
2.5e-1 println
.5 println
123.456 println
"tab:\there" println
"quote: \"q\" backslash: \\" println
"""triple "quoted" \n stays raw""" println
"multi
line" println
# hash comment
// slash comment
/* block
   comment */ "after comments" println
"a" .. "b" .. "c" println
1;2;3 println
a := 1 ; b := 2
(a + b) println
message("x\ty") name println
message(12) name println
