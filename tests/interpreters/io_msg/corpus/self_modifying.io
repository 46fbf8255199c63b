// code is data: messages can be rewritten while they run
op := message(a + b)
a := 3; b := 4
op doInContext println
op next setName("*")
op doInContext println
op code println
// rewriting the body of a loop while the loop runs
body := message(total = total + 1)
total := 0
i := 0
while(i < 20,
    body doInContext
    if(i == 9, body argAt(1) next setArguments(list(message(100))))
    i = i + 1
)
total println
// rewriting a method's body after it has been called many times
m := method(x, x + 1)
r := 0
for(k, 1, 30, r = r + m(k))
r println
getSlot("m") message next setName("-")
r := 0
for(k, 1, 30, r = r + m(k))
r println
// redefining a slot mid-loop
Lobby f := method(1)
s := 0
for(k, 1, 40, s = s + f; if(k == 20, Lobby f := method(10)))
s println
// setNext
m1 := message(x := 1)
m1 setNext(message(x := x + 41))
m1 doInContext
x println
