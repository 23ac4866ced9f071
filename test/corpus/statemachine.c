/* statemachine.c -- a table-driven tokenizer (state x char-class table) and
 * a switch-driven one over the same embedded text; they must agree. */
#include <stdio.h>

enum cls { C_ALPHA, C_DIGIT, C_SPACE, C_PUNCT, C_QUOTE, C_OTHER, NCLS };
enum st { S_START, S_IDENT, S_NUMBER, S_STRING, S_PUNCT, NST };

static enum cls classify(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return C_ALPHA;
	if (c >= '0' && c <= '9') return C_DIGIT;
	if (c == ' ' || c == '\n' || c == '\t') return C_SPACE;
	if (c == '"') return C_QUOTE;
	if (c == '(' || c == ')' || c == ';' || c == '=' || c == '+' || c == '*' || c == ',') return C_PUNCT;
	return C_OTHER;
}

/* next state; a token ends when we leave a non-start state for another one */
static const unsigned char next_tab[NST][NCLS] = {
	/*            ALPHA    DIGIT     SPACE    PUNCT    QUOTE     OTHER */
	[S_START]  = {S_IDENT, S_NUMBER, S_START, S_PUNCT, S_STRING, S_START},
	[S_IDENT]  = {S_IDENT, S_IDENT,  S_START, S_PUNCT, S_STRING, S_START},
	[S_NUMBER] = {S_IDENT, S_NUMBER, S_START, S_PUNCT, S_STRING, S_START},
	[S_STRING] = {S_STRING, S_STRING, S_STRING, S_STRING, S_START, S_STRING},
	[S_PUNCT]  = {S_IDENT, S_NUMBER, S_START, S_PUNCT, S_STRING, S_START},
};

static const char *text =
	"int x = 42;\nprint(\"hello, world\", x * 7 + y_2);\n"
	"for i in range(10): total = total + i*i ;\n"
	"s = \"a \\ b\" ; end\n";

int main(void)
{
	unsigned long counts1[NST] = {0}, counts2[NST] = {0}, trace = 0;
	int st = S_START;
	for (int rep = 0; rep < 50; rep++)
		for (const char *p = text; *p; p++) {
			int ns = next_tab[st][classify(*p)];
			if (ns != st || st == S_PUNCT) {
				if (st != S_START)
					counts1[st]++;
			}
			trace = trace * 7 + (unsigned long)ns;
			st = ns;
		}
	st = S_START;
	for (int rep = 0; rep < 50; rep++)
		for (const char *p = text; *p; p++) {
			enum cls c = classify(*p);
			int ns;
			switch (st) {
			case S_START: case S_PUNCT: case S_NUMBER:
				ns = c == C_ALPHA ? S_IDENT : c == C_DIGIT ? S_NUMBER
				   : c == C_PUNCT ? S_PUNCT : c == C_QUOTE ? S_STRING : S_START;
				break;
			case S_IDENT:
				ns = (c == C_ALPHA || c == C_DIGIT) ? S_IDENT : c == C_PUNCT ? S_PUNCT : c == C_QUOTE ? S_STRING : S_START;
				break;
			case S_STRING:
				ns = c == C_QUOTE ? S_START : S_STRING;
				break;
			default:
				ns = S_START;
			}
			if ((ns != st || st == S_PUNCT) && st != S_START)
				counts2[st]++;
			st = ns;
		}
	printf("tokens: ident=%lu number=%lu string=%lu punct=%lu\n", counts1[S_IDENT], counts1[S_NUMBER], counts1[S_STRING], counts1[S_PUNCT]);
	int same = 1;
	for (int i = 0; i < NST; i++)
		same &= counts1[i] == counts2[i];
	printf("switch version agrees: %s\n", same ? "yes" : "NO");
	printf("trace %016lx\n", trace);
	return 0;
}
