m := Map clone
m atPut("one", 1)
m atPut("two", 2)
m atPut("three", 3)
m at("two") println
m at("four") println
m hasKey("one") println
m hasKey("four") println
m size println
m keys sort println
m values sort println
m removeAt("two")
m keys sort println
m atIfAbsent("zzz", "default") println
m atIfAbsentPut("four", 4) println
m size println
sum := 0
m foreach(k, v, sum = sum + v)
sum println
m isEmpty println
Map clone isEmpty println
n := Map with("a", 1, "b", 2)
n keys sort println
n asObject a println
