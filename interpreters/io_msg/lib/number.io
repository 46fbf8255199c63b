// Io-level part of Number.

Number do(
    isZero := method(self == 0)
    isPositive := method(self > 0)
    isNegative := method(self < 0)
    double := method(self * 2)
    half := method(self / 2)
    asInt := method(self floor)
    integerMax := 2147483647
    integerMin := -2147483648
)

Number constants := Object clone do(
    pi := 3.141592653589793
    e := 2.718281828459045
    inf := 1 / 0
    nan := 0 / 0
)
