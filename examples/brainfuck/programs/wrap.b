wrap: cells are bytes; prints the bytes 255 and 0 and 1 (0 minus 1; then plus 1; plus 1)
-.
+.
+.
then 1 minus 7 wraps to 250 and 250 plus 10 wraps to 4: prints the byte 4
------->++++++++++[<+>-]<.
