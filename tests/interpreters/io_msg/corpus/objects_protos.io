Animal := Object clone
Animal name := "animal"
Animal speak := method("..." println)
Animal describe := method(writeln(name, " says:"); speak)
Dog := Animal clone
Dog speak := method("Woof" println)
Dog type println
d := Dog clone
d name = "rex"
d describe
d type println
d hasLocalSlot("name") println
Dog hasLocalSlot("name") println
d hasSlot("speak") println
d hasSlot("fly") println
(d proto == Dog) println
d isKindOf(Animal) println
Animal isKindOf(Dog) println
// multiple protos
Flyer := Object clone
Flyer fly := method("flap flap" println)
d appendProto(Flyer)
d fly
d protos size println
d removeProto(Flyer)
d hasSlot("fly") println
// slot reflection
o := Object clone
o a := 1
o b := 2
o slotNames sort println
o removeSlot("a")
o slotNames println
o getSlot("b") println
o getSlot("zzz") println
o setSlot("c", 3) println
o c println
e := try(o updateSlot("nope", 1))
e error println
// newSlot makes a setter
Point := Object clone
Point x ::= 0
Point y ::= 0
p := Point clone setX(3) setY(4)
(p x * p x + p y * p y) sqrt println
// init is called by clone
Counter := Object clone
Counter init := method(self count := 0)
Counter inc := method(count = count + 1; self)
c1 := Counter clone
c2 := Counter clone
c1 inc inc
c2 inc
c1 count println
c2 count println
// cloning a proto shares, then shadows
Base := Object clone
Base v := 1
k := Base clone
k v println
Base v = 2
k v println
k v = 3
Base v println
k v println
// Lobby and Protos
(Lobby Protos Core Object == Object) println
Lobby hasSlot("Animal") println
(Object proto == Lobby) println
// comparison of objects
(o == o) println
(o == Object clone) println
(nil == nil) println
nil isNil println
5 isNil println
nil println
true println
false println
(nil or true) println
(true and false) println
true not println
nil not println
nil ifNil("was nil" println)
5 ifNonNil("not nil" println)
(nil ifNilEval(7)) println
