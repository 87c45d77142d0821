/* A JSON tokenizer and recursive-descent parser. run(n): generates a JSON document of about
 * 16 KB (objects, arrays, strings with escapes, integers and decimals), then parses it n times,
 * counting values and summing numbers; returns a checksum (-1 on a parse error). */
#include "common.h"

enum { T_EOF, T_LBRACE, T_RBRACE, T_LBRACKET, T_RBRACKET, T_COLON, T_COMMA, T_STRING, T_NUMBER,
       T_TRUE, T_FALSE, T_NULL, T_ERROR };

typedef struct {
    const char *src;
    int pos;
    int len;
    int kind;
    int start;
    int end;
    i64 int_value;
    i32 frac_digits;
} Lexer;

typedef struct {
    u32 objects, arrays, strings, numbers, literals, max_depth;
    i64 number_sum;
    u32 string_hash;
} Stats;

static char doc[20000];
static int doc_len;

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

static int match_word(Lexer *lx, const char *w) {
    int i = 0;
    while (w[i]) {
        if (lx->pos + i >= lx->len || lx->src[lx->pos + i] != w[i]) return 0;
        i++;
    }
    lx->pos += i;
    return 1;
}

static void next(Lexer *lx) {
    while (lx->pos < lx->len && is_space(lx->src[lx->pos])) lx->pos++;
    lx->start = lx->pos;
    if (lx->pos >= lx->len) {
        lx->kind = T_EOF;
        return;
    }
    char c = lx->src[lx->pos];
    switch (c) {
    case '{': lx->pos++; lx->kind = T_LBRACE; break;
    case '}': lx->pos++; lx->kind = T_RBRACE; break;
    case '[': lx->pos++; lx->kind = T_LBRACKET; break;
    case ']': lx->pos++; lx->kind = T_RBRACKET; break;
    case ':': lx->pos++; lx->kind = T_COLON; break;
    case ',': lx->pos++; lx->kind = T_COMMA; break;
    case '"':
        lx->pos++;
        while (lx->pos < lx->len && lx->src[lx->pos] != '"') {
            if (lx->src[lx->pos] == '\\') lx->pos++;
            lx->pos++;
        }
        if (lx->pos >= lx->len) {
            lx->kind = T_ERROR;
            return;
        }
        lx->pos++;
        lx->kind = T_STRING;
        break;
    case 't': lx->kind = match_word(lx, "true") ? T_TRUE : T_ERROR; break;
    case 'f': lx->kind = match_word(lx, "false") ? T_FALSE : T_ERROR; break;
    case 'n': lx->kind = match_word(lx, "null") ? T_NULL : T_ERROR; break;
    default:
        if (c == '-' || is_digit(c)) {
            int neg = c == '-';
            if (neg) lx->pos++;
            i64 v = 0;
            int digits = 0;
            while (lx->pos < lx->len && is_digit(lx->src[lx->pos])) {
                v = v * 10 + (lx->src[lx->pos++] - '0');
                digits++;
            }
            int frac = 0;
            if (lx->pos < lx->len && lx->src[lx->pos] == '.') {
                lx->pos++;
                while (lx->pos < lx->len && is_digit(lx->src[lx->pos])) {
                    v = v * 10 + (lx->src[lx->pos++] - '0');
                    frac++;
                }
            }
            lx->int_value = neg ? -v : v;
            lx->frac_digits = frac;
            lx->kind = digits ? T_NUMBER : T_ERROR;
        } else {
            lx->kind = T_ERROR;
        }
    }
    lx->end = lx->pos;
}

static u32 hash_string(const char *s, int start, int end, u32 h) {
    for (int i = start + 1; i < end - 1; i++) {
        char c = s[i];
        if (c == '\\') {
            i++;
            c = s[i] == 'n' ? '\n' : s[i] == 't' ? '\t' : s[i];
        }
        h = (h ^ (u8)c) * 16777619u;
    }
    return h;
}

static int parse_value(Lexer *lx, Stats *st, u32 depth);

static int parse_object(Lexer *lx, Stats *st, u32 depth) {
    st->objects++;
    next(lx);
    if (lx->kind == T_RBRACE) {
        next(lx);
        return 0;
    }
    for (;;) {
        if (lx->kind != T_STRING) return -1;
        st->string_hash = hash_string(lx->src, lx->start, lx->end, st->string_hash);
        next(lx);
        if (lx->kind != T_COLON) return -1;
        next(lx);
        if (parse_value(lx, st, depth + 1)) return -1;
        if (lx->kind == T_COMMA) {
            next(lx);
            continue;
        }
        if (lx->kind != T_RBRACE) return -1;
        next(lx);
        return 0;
    }
}

static int parse_array(Lexer *lx, Stats *st, u32 depth) {
    st->arrays++;
    next(lx);
    if (lx->kind == T_RBRACKET) {
        next(lx);
        return 0;
    }
    for (;;) {
        if (parse_value(lx, st, depth + 1)) return -1;
        if (lx->kind == T_COMMA) {
            next(lx);
            continue;
        }
        if (lx->kind != T_RBRACKET) return -1;
        next(lx);
        return 0;
    }
}

static int parse_value(Lexer *lx, Stats *st, u32 depth) {
    if (depth > st->max_depth) st->max_depth = depth;
    if (depth > 64) return -1;
    switch (lx->kind) {
    case T_LBRACE: return parse_object(lx, st, depth);
    case T_LBRACKET: return parse_array(lx, st, depth);
    case T_STRING:
        st->strings++;
        st->string_hash = hash_string(lx->src, lx->start, lx->end, st->string_hash);
        next(lx);
        return 0;
    case T_NUMBER:
        st->numbers++;
        st->number_sum += lx->int_value * (lx->frac_digits + 1);
        next(lx);
        return 0;
    case T_TRUE: case T_FALSE: case T_NULL:
        st->literals++;
        next(lx);
        return 0;
    default: return -1;
    }
}

/* The generator. */
static void put(const char *s) {
    while (*s && doc_len < (int)sizeof doc - 1) doc[doc_len++] = *s++;
}

static void put_int(i32 v) {
    char tmp[12];
    int n = 0;
    u32 u = v < 0 ? (u32)(-(i64)v) : (u32)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) put("-");
    while (n > 0 && doc_len < (int)sizeof doc - 1) doc[doc_len++] = tmp[--n];
}

static void gen_value(int depth);

static void gen_string(void) {
    static const char *words[] = {"alpha", "beta", "gamma\\n", "delta \\\"q\\\"", "eps\\tilon", "zeta", "eta", "theta"};
    put("\"");
    put(words[rng_next() % 8]);
    put_int((i32)(rng_next() % 1000));
    put("\"");
}

static void gen_value(int depth) {
    u32 r = rng_next() % (depth > 5 ? 4 : 7);
    switch (r) {
    case 0: gen_string(); break;
    case 1: put_int((i32)(rng_next() % 200001) - 100000); break;
    case 2: put_int((i32)(rng_next() % 1000)); put("."); put_int((i32)(rng_next() % 100)); break;
    case 3: put(r & 1 ? "true" : (rng_next() & 1) ? "false" : "null"); break;
    case 4: case 5: {
        int n = (int)(rng_next() % 6);
        put("{");
        for (int i = 0; i < n; i++) {
            if (i) put(", ");
            gen_string();
            put(": ");
            gen_value(depth + 1);
        }
        put("}");
        break;
    }
    default: {
        int n = (int)(rng_next() % 8);
        put("[");
        for (int i = 0; i < n; i++) {
            if (i) put(",");
            gen_value(depth + 1);
        }
        put("]");
    }
    }
}

static void generate(void) {
    rng_seed(7);
    doc_len = 0;
    put("[");
    for (int i = 0; doc_len < 16000; i++) {
        if (i) put(",\n ");
        gen_value(1);
    }
    put("]");
    doc[doc_len] = 0;
}

EXPORT("doc_size") i32 doc_size(void) {
    generate();
    return doc_len;
}

EXPORT("run") i32 run(i32 n) {
    generate();
    u32 h = 2166136261u;
    for (i32 r = 0; r < n; r++) {
        Lexer lx = {doc, 0, doc_len, T_EOF, 0, 0, 0, 0};
        Stats st;
        memset(&st, 0, sizeof st);
        st.string_hash = 2166136261u + (u32)r;
        next(&lx);
        if (parse_value(&lx, &st, 0) || lx.kind != T_EOF) return -1;
        h = fnv_add(h, st.objects);
        h = fnv_add(h, st.arrays);
        h = fnv_add(h, st.strings + st.numbers * 3 + st.literals * 5 + st.max_depth * 7);
        h = fnv_add(h, (u32)st.number_sum ^ (u32)(st.number_sum >> 32));
        h = fnv_add(h, st.string_hash);
    }
    return (i32)h;
}
