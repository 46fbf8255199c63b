unmatched_open: the second loop on line 3 is never closed (a test of the parser's error)
+[-]
>+[->+<
