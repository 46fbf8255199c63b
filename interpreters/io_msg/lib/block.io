// Io-level part of Block, Call and Message.

Block do(
    callWithArgList := method(args, self performWithArgList("call", args))
)

Call do(
    description := method(
        m := self message
        (self target type .. " " .. m name) alignLeft(36) .. " " .. m label .. " " .. m lineNumber
    )
)

Message do(
    description := method(
        self name alignLeft(36) .. self label .. " " .. self lineNumber
    )
)
