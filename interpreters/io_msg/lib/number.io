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

Number do(
    isLetter := method(self between(65, 90) or self between(97, 122))
    isDigit := method(self between(48, 57))
    // zero-padded digits in a whole number of bytes
    asHex := method(self toBase(16) alignRight(((self toBase(16) size + 1) / 2) floor * 2, "0"))
    asBinary := method(self toBase(2) alignRight(((self toBase(2) size + 7) / 8) floor * 8, "0"))
    asOctal := method(self toBase(8) alignRight(((self toBase(8) size + 2) / 3) floor * 3, "0"))
)
