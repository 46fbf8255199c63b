// list building and traversal
l := list()
for(i, 1, 100000, l append(i * 2))
s := 0
l foreach(v, s = s + v)
if(s != 10000100000, Exception raise("list_build: wrong result " .. s))
"list_build ok" println
