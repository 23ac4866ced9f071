/* funcptr.c -- indirect calls: function-pointer tables, callbacks,
 * pointers returned from functions, and a tiny vtable-like dispatch.
 * At -O2 these are "call *%rax"/"call *(%rdx,%rax,8)" and tail "jmp *". */
#include <stdio.h>

typedef long (*op_fn)(long, long);
static long op_add(long a, long b) { return a + b; }
static long op_sub(long a, long b) { return a - b; }
static long op_mul(long a, long b) { return a * b; }
static long op_xor(long a, long b) { return a ^ b; }
static long op_max(long a, long b) { return a > b ? a : b; }
static op_fn table[] = {op_add, op_sub, op_mul, op_xor, op_max};

struct shape;
struct shape_ops { long (*area)(const struct shape *); const char *(*name)(void); };
struct shape { const struct shape_ops *ops; long w, h; };
static long rect_area(const struct shape *s) { return s->w * s->h; }
static long tri_area(const struct shape *s) { return s->w * s->h / 2; }
static const char *rect_name(void) { return "rect"; }
static const char *tri_name(void) { return "tri"; }
static const struct shape_ops rect_ops = {rect_area, rect_name}, tri_ops = {tri_area, tri_name};

__attribute__((noinline)) static op_fn pick(int i) { return table[i % 5]; }
__attribute__((noinline)) static long apply_all(long (*f)(long, long), const long *v, int n)
{
	long acc = v[0];
	for (int i = 1; i < n; i++)
		acc = f(acc, v[i]);
	return acc;
}

int main(void)
{
	long v[] = {3, 14, 15, 92, 65, 35, 89, 79};
	for (int i = 0; i < 5; i++)
		printf("fold op%d = %ld\n", i, apply_all(table[i], v, 8));
	long acc = 1;
	for (int i = 0; i < 1000; i++)
		acc = pick(i)(acc, i) & 0xffffffff;
	printf("chain %ld\n", acc);
	struct shape shapes[] = {{&rect_ops, 3, 4}, {&tri_ops, 6, 5}, {&rect_ops, 10, 10}};
	for (int i = 0; i < 3; i++)
		printf("%s area %ld\n", shapes[i].ops->name(), shapes[i].ops->area(&shapes[i]));
	return 0;
}
