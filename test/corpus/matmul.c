/* matmul.c -- integer matrix multiply (ijk and ikj loop orders, int32),
 * C^T*C in int64, a trace and hashes; at -O2 gcc vectorizes the ikj loop
 * with SSE2 (pmulld is SSE4.1, so it uses pmuludq/pshufd sequences). */
#include <stdio.h>

#define N 40

static int A[N][N], B[N][N], C1[N][N], C2[N][N];
static long L[N][N];

int main(void)
{
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++) {
			A[i][j] = (i * 7 + j * 3) % 17 - 8;
			B[i][j] = (i * 5 + j * 11) % 13 - 6;
		}
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++) {
			int s = 0;
			for (int k = 0; k < N; k++)
				s += A[i][k] * B[k][j];
			C1[i][j] = s;
		}
	for (int i = 0; i < N; i++)
		for (int k = 0; k < N; k++) {
			int a = A[i][k];
			for (int j = 0; j < N; j++)
				C2[i][j] += a * B[k][j];
		}
	int same = 1;
	long trace = 0, sum = 0;
	for (int i = 0; i < N; i++) {
		trace += C1[i][i];
		for (int j = 0; j < N; j++) {
			same &= C1[i][j] == C2[i][j];
			sum += (long)C1[i][j] * (i + 1) - j;
		}
	}
	printf("ijk==ikj: %s trace %ld weighted sum %ld\n", same ? "yes" : "NO", trace, sum);
	printf("C[0][0..5]: %d %d %d %d %d %d\n", C1[0][0], C1[0][1], C1[0][2], C1[0][3], C1[0][4], C1[0][5]);
	/* C^T * C in 64-bit */
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++) {
			long s = 0;
			for (int k = 0; k < N; k++)
				s += (long)C1[k][i] * C1[k][j];
			L[i][j] = s;
		}
	long h = 0;
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++)
			h = h * 31 + L[i][j];
	printf("CtC hash %ld symmetric %s\n", h, L[3][17] == L[17][3] ? "yes" : "NO");
	return 0;
}
