path := System getEnvironmentVariable("IO_TEST_TMP") .. "/io_file_test.txt"
f := File with(path)
f openForUpdating write("line one\nline two\n") close
File with(path) exists println
File with(path) contents println
File with(path) readLines println
File with(path) size println
incl := System getEnvironmentVariable("IO_TEST_TMP") .. "/io_include.io"
File with(incl) setContents("includedValue := 6 * 7\n\"included ran\" println\n")
doFile(incl)
includedValue println
File with(incl) remove
File with(incl) exists println
File with(path) remove
e := try(File with("/nonexistent/dir/x") contents)
(e error beginsWithSeq("unable to open file")) println
System args size println
t := Date secondsToRun(for(i, 1, 100, i))
(t >= 0) println
(Date now asNumber > 1000000000) println
Date clone now year > 2000
(Date clone now year > 2000) println
System exit(3)
"not reached" println
