A := Object clone
A greet := method("A greet" println; "a")
B := A clone
B greet := method("B greet" println; resend)
C := B clone
C greet := method("C greet" println; resend)
C clone greet println
// super
Shape := Object clone
Shape area := method(0)
Shape describe := method("area " .. area)
Square := Shape clone
Square side := 2
Square area := method(side * side)
Square describe := method("square, " .. super(describe))
Square describe println
// resend passes the arguments along
P := Object clone
P add := method(a, b, a + b)
Q := P clone
Q add := method(a, b, resend * 10)
Q add(1, 2) println
// forward catches unknown messages
Ghost := Object clone
Ghost forward := method(
    "forwarded " .. call message name .. " with " .. call message arguments size .. " args"
)
Ghost boo println
Ghost foo(1, 2) println
Recorder := Object clone
Recorder log := list()
Recorder forward := method(log append(call message name); self)
Recorder a b c
Recorder log println
