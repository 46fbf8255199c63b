l := list(3, 1, 2)
l println
l size println
l sort println
l println
l append(5) println
l at(0) println
l at(-1) println
l at(99) println
l first println
l last println
l indexOf(2) println
l contains(5) println
l remove(5) println
l push(9) pop println
l reverse println
l map(x, x * 10) println
l map(i, x, i + x) println
l map(*2) println
l select(x, x > 1) println
l select(isOdd) println
l reject(x, x > 1) println
l detect(x, x > 1) println
l detect(x, x > 100) println
l sum println
l average println
l max println
l min println
l reduce(a, b, a * b) println
list(1, list(2, list(3))) flatten println
list(1, 2, 2, 3, 1) unique println
list(5, 3, 9) sortBy(block(a, b, a > b)) println
list("pear", "fig", "apple") sortBy(block(a, b, a size < b size)) println
list(1, 2, 3, 4) slice(1, 3) println
list() isEmpty println
list(1) isEmpty println
l2 := l copy
l2 atPut(0, 100)
l println
l2 println
l2 insertAt(7, 1) println
l2 removeAt(1) println
l2 println
list(1, 2) == list(1, 2)
(list(1, 2) == list(1, 2)) println
l foreach(i, v, write(i, ":", v, " "))
"" println
l foreach(v, write(v, " "))
"" println
l reverseForeach(v, write(v, " "))
"" println
l foreach(println)
list(1, 2, 3) count(x, x > 1) println
list(list("a", 1), list("b", 2)) asMap at("b") println
list(1,2,3) prepend(0) println
list(1, nil, 3) println
