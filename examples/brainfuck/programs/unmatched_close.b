unmatched_close: one close bracket too many on line 2 (a test of the parser's error)
++[->+<]]
