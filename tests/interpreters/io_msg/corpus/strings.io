s := "Hello, World"
s size println
s asUppercase println
s asLowercase println
s reverse println
(s at(0)) println
s exSlice(0, 5) println
s exSlice(-5) println
s findSeq("World") println
s findSeq("xyz") println
s containsSeq("lo, W") println
s beginsWithSeq("Hell") println
s endsWithSeq("d") println
s split(", ") println
"a-b-c" split("-") size println
"ab" repeated(3) println
"3.25" asNumber + 1 println
"abc" asNumber isNan println
("abc" < "abd") println
("abc" == "abc") println
("abc" != "abd") println
"hello" occurrencesOfSeq("l") println
"x" .. 42 .. "y" println
m := "abc" asMutable
m appendSeq("def", 1)
m println
m replaceSeq("cd", "CD")
m println
m isMutable println
"abc" isMutable println
t := "  padded  " asMutable
t strip
("[" .. t .. "]") println
"abc" alignLeft(6, ".") println
"abc" alignRight(6, ".") println
"hello world" asCapitalized println
"hello" asList println
e := try("abc" strip)
e error println
"abc" foreach(c, c asCharacter print)
"" println
"name: #{1 + 2}" interpolate println
list("a", "b", "c") join(", ") println
"line1\nline2" lines size println
"abc" type println
