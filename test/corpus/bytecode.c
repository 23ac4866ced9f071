/* bytecode.c -- a tiny stack-machine interpreter (switch dispatch in a loop)
 * running three programs: iterative factorial mod p, Fibonacci, and gcd via
 * Euclid; plus a computed-goto version of the same dispatch (GNU C). */
#include <stdio.h>

static long g_steps;

enum { PUSH, POP, ADD, SUB, MUL, MOD, DUP, SWAP, OVER, JMP, JZ, JNZ, LT, PRINT, HALT, LOAD, STORE };

static long run(const long *code, int trace_print)
{
	long stack[64], mem[8] = {0};
	int sp = 0, pc = 0;
	long steps = 0;
	for (;;) {
		steps++;
		long op = code[pc++];
		switch (op) {
		case PUSH: stack[sp++] = code[pc++]; break;
		case POP: sp--; break;
		case ADD: sp--; stack[sp - 1] += stack[sp]; break;
		case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
		case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
		case MOD: sp--; stack[sp - 1] %= stack[sp]; break;
		case DUP: stack[sp] = stack[sp - 1]; sp++; break;
		case SWAP: { long t = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = t; } break;
		case OVER: stack[sp] = stack[sp - 2]; sp++; break;
		case JMP: pc = (int)code[pc]; break;
		case JZ: if (stack[--sp] == 0) pc = (int)code[pc]; else pc++; break;
		case JNZ: if (stack[--sp] != 0) pc = (int)code[pc]; else pc++; break;
		case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
		case PRINT: if (trace_print) printf("  out %ld\n", stack[sp - 1]); break;
		case LOAD: stack[sp++] = mem[code[pc++]]; break;
		case STORE: mem[code[pc++]] = stack[--sp]; break;
		case HALT: g_steps = steps; return sp ? stack[sp - 1] : -1;
		default: return -1;
		}
	}
}

static long run_goto(const long *code)
{
	static void *labels[] = {&&l_push, &&l_pop, &&l_add, &&l_sub, &&l_mul, &&l_mod, &&l_dup, &&l_swap,
				 &&l_over, &&l_jmp, &&l_jz, &&l_jnz, &&l_lt, &&l_print, &&l_halt, &&l_load, &&l_store};
	long stack[64], mem[8] = {0};
	int sp = 0, pc = 0;
	long steps = 0;
#define NEXT do { steps++; goto *labels[code[pc++]]; } while (0)
	NEXT;
l_push: stack[sp++] = code[pc++]; NEXT;
l_pop: sp--; NEXT;
l_add: sp--; stack[sp - 1] += stack[sp]; NEXT;
l_sub: sp--; stack[sp - 1] -= stack[sp]; NEXT;
l_mul: sp--; stack[sp - 1] *= stack[sp]; NEXT;
l_mod: sp--; stack[sp - 1] %= stack[sp]; NEXT;
l_dup: stack[sp] = stack[sp - 1]; sp++; NEXT;
l_swap: { long t = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = t; } NEXT;
l_over: stack[sp] = stack[sp - 2]; sp++; NEXT;
l_jmp: pc = (int)code[pc]; NEXT;
l_jz: if (stack[--sp] == 0) pc = (int)code[pc]; else pc++; NEXT;
l_jnz: if (stack[--sp] != 0) pc = (int)code[pc]; else pc++; NEXT;
l_lt: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; NEXT;
l_print: NEXT;
l_load: stack[sp++] = mem[code[pc++]]; NEXT;
l_store: mem[code[pc++]] = stack[--sp]; NEXT;
l_halt: g_steps = steps; return sp ? stack[sp - 1] : -1;
#undef NEXT
}

int main(void)
{
	/* acc = 1; n = 200; while (n) { acc = acc * n % 1000003; n = n - 1 } */
	static const long fact[] = {
		PUSH, 1, STORE, 0, PUSH, 200, STORE, 1,
		/* 8 */ LOAD, 1, JZ, 30,
		LOAD, 0, LOAD, 1, MUL, PUSH, 1000003, MOD, STORE, 0,
		LOAD, 1, PUSH, 1, SUB, STORE, 1, JMP, 8,
		/* 30 */ LOAD, 0, PRINT, HALT};
	/* a=0 b=1 repeat 80 times: print a; (a,b)=(b,a+b) mod 2^61-1 */
	static const long fibp[] = {
		PUSH, 0, STORE, 0, PUSH, 1, STORE, 1, PUSH, 80, STORE, 2,
		/* 12 */ LOAD, 2, JZ, 42,
		LOAD, 0, LOAD, 1, DUP, STORE, 0, ADD, PUSH, 2305843009213693951L, MOD, STORE, 1,
		LOAD, 2, PUSH, 1, SUB, STORE, 2, JMP, 12, HALT, HALT,
		/* 42 */ LOAD, 0, PRINT, HALT};
	/* gcd(1071*97, 462*97) */
	static const long gcd[] = {
		PUSH, 103887, PUSH, 44814,
		/* 4 */ DUP, JZ, 13, SWAP, OVER, MOD, JMP, 4, HALT,
		/* 13 */ POP, PRINT, HALT};
	const long *progs[] = {fact, fibp, gcd};
	const char *names[] = {"fact200 mod 1000003", "fib80 mod M61", "gcd"};
	for (int i = 0; i < 3; i++) {
		printf("%s:\n", names[i]);
		long r1 = run(progs[i], 1), s1 = g_steps;
		long r2 = run_goto(progs[i]), s2 = g_steps;
		printf("  steps %ld result %ld goto-version %s\n", s1, r1, r1 == r2 && s1 == s2 ? "agrees" : "DIFFERS");
	}
	long total = 0;
	for (int k = 0; k < 30; k++)
	{
		long r = run(fact, 0);
		total += r + g_steps;
	}
	printf("repeat total %ld\n", total);
	return 0;
}
