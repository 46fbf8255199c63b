hello: prints "Hello" then a comma then " world!" and a newline

cell 0 counts ten passes that add 7/10/11/3/1 to cells 1 to 5
++++++++++[>+++++++>++++++++++>+++++++++++>+++>+<<<<<-]
cells now: 70 100 110 30 10

>++.                H (72)
>+.                 e (101)
+++++++..           l l (108)
+++.                o (111)
>>++++++++++++++.   comma (44)
------------.       space (32)
<+++++++++.         w (119)
<.                  o (111)
>-----.             r (114)
<---.               l (108)
--------.           d (100)
>>+.                ! (33)
>.                  newline (10)
