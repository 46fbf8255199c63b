reverse: reads its input up to its end (where reading stores 0)
and prints it backwards; cell 0 stays 0 as the stop mark
>,[>,]
<[.<]
