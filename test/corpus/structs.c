/* structs.c -- structs passed and returned by value under the SysV ABI:
 * 8/16-byte structs in registers (INTEGER class, rax:rdx), mixed int+double
 * (INTEGER+SSE), >16-byte structs in memory with a hidden return pointer
 * (sret), arrays inside structs, nested structs and struct copies. */
#include <stdio.h>
#include <string.h>

struct s8 { int a, b; };
struct s16 { long x; long y; };
struct mix { int i; double d; };
struct big { long v[6]; char tag[8]; };
struct nest { struct s8 p; struct s16 q; short z; };

__attribute__((noinline)) static struct s8 add8(struct s8 l, struct s8 r) { return (struct s8){l.a + r.a, l.b * r.b}; }
__attribute__((noinline)) static struct s16 swap16(struct s16 v) { return (struct s16){v.y, v.x}; }
__attribute__((noinline)) static struct mix scale(struct mix m, int k) { m.i *= k; m.d *= k; return m; }
__attribute__((noinline)) static struct big grow(struct big b, long k)
{
	for (int i = 0; i < 6; i++)
		b.v[i] = b.v[i] * k + i;
	b.tag[0] = (char)('A' + k);
	return b;
}
__attribute__((noinline)) static long sum_nest(struct nest n) { return n.p.a + n.p.b + n.q.x + n.q.y + n.z; }
__attribute__((noinline)) static long many(struct s8 a, struct s16 b, struct big c, struct mix d, int e, struct s8 f)
{
	return a.a + b.y + c.v[5] + (long)d.d + e + f.b;
}

int main(void)
{
	struct s8 p = {3, 4};
	for (int i = 0; i < 5; i++)
		p = add8(p, (struct s8){i, 2});
	printf("s8 %d %d\n", p.a, p.b);
	struct s16 q = swap16((struct s16){111111111111L, -2});
	printf("s16 %ld %ld\n", q.x, q.y);
	struct mix m = scale((struct mix){7, 1.5}, 4);
	printf("mix %d %ld\n", m.i, (long)(m.d * 100));
	struct big b;
	memset(&b, 0, sizeof b);
	strcpy(b.tag, "tag");
	for (int i = 0; i < 6; i++)
		b.v[i] = i * 10;
	struct big g = grow(grow(b, 2), 3);
	printf("big %ld %ld %ld %ld %ld %ld %s (orig %ld %s)\n", g.v[0], g.v[1], g.v[2], g.v[3], g.v[4], g.v[5], g.tag, b.v[5], b.tag);
	struct nest n = {{1, 2}, {3, 4}, 5};
	struct nest n2 = n;
	n2.q.y = 1000;
	printf("nest %ld %ld\n", sum_nest(n), sum_nest(n2));
	printf("many %ld\n", many(p, q, g, m, 99, (struct s8){0, 77}));
	return 0;
}
