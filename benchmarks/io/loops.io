// while loop with arithmetic; the trip count is the first argument (default 3000000)
n := if(System args size > 1, System args at(1) asNumber, 3000000)
i := 0; s := 0
while(i < n, s = s + i % 7; i = i + 1)
// sum of i % 7 for i < n: 21 per full week of 7, then 0 + 1 + ... + (r - 1)
r := n % 7
if(s != 21 * ((n / 7) floor) + r * (r - 1) / 2, Exception raise("loops: wrong result " .. s))
"loops ok" println
