Foo := Object clone
Foo bar := method(x, x baz)
"start" println
Foo bar(3)
