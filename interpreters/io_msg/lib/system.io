// Io-level part of System and Date.

System do(
    //doc System runCount how many times the program was asked to run: always 1 here.
    ioPath := method(launchPath)
)

Date do(
    cpuSecondsToRun := method(
        t := Date clock
        call evalArgAt(0)
        Date clock - t
    )
)

// memory is managed by the host Python: collecting is a no-op that reports nothing freed
Collector := Object clone do(
    collect := method(0)
)
