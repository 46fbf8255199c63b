// Io-level part of Coroutine.

Coroutine do(
    //doc Coroutine runMessage the message a coroutine made with coroFor runs.
    label := "Coroutine"
)
