// JSON round trip, written the way ordinary C is: generate a document of
// records with snprintf into a growing buffer, tokenize and parse it with a
// switch-driven recursive-descent parser into a tree of malloc'd nodes
// (linked lists of members, unescaped strings), walk the tree, serialize it
// back, parse the output again and check both trees agree, then free it.
//
// usage: jsonparse ROUNDS   (each round: a new document of RECORDS records)
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECORDS 400

typedef enum { J_NULL, J_FALSE, J_TRUE, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } Kind;

typedef struct Node {
    Kind kind;
    double number;
    char *str;          // J_STRING value, or the key of an object member
    size_t len;
    struct Node *child; // first element / member (J_ARRAY, J_OBJECT)
    struct Node *next;  // next sibling
} Node;

typedef struct {
    char *data;
    size_t len, cap;
} Buf;

static void buf_reserve(Buf *b, size_t extra) {
    if (b->len + extra + 1 > b->cap) {
        while (b->len + extra + 1 > b->cap) b->cap = b->cap ? b->cap * 2 : 256;
        b->data = realloc(b->data, b->cap);
        if (!b->data) abort();
    }
}

static void buf_put(Buf *b, const char *s, size_t n) {
    buf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

static void buf_puts(Buf *b, const char *s) { buf_put(b, s, strlen(s)); }

static void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(Buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

// ---- document generator ----

static uint32_t rng;
static uint32_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static const char *syllables[] = {"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "que", "zor", "bel", "dan"};
static const char *tags[] = {"admin", "beta", "gamma\\n", "\\\"quoted\\\"", "caf\\u00e9", "x-y_z", "tab\\there"};

static void gen_word(Buf *b, int syl) {
    for (int i = 0; i < syl; i++) buf_puts(b, syllables[next_rand() % 12]);
}

static void generate(Buf *b, uint32_t seed) {
    rng = seed * 2654435761u + 1;
    b->len = 0;
    buf_puts(b, "{\"version\": 3, \"generator\": \"jsonparse.c\", \"records\": [\n");
    for (int i = 0; i < RECORDS; i++) {
        if (i) buf_puts(b, ",\n");
        // (each random draw in its own statement: argument evaluation order
        // is unspecified, and the output must not depend on the compiler)
        int id = i * 7 + (int)(next_rand() % 7);
        buf_printf(b, "  {\"id\": %d, \"name\": \"", id);
        gen_word(b, 2 + (int)(next_rand() % 3));
        int whole = (int)(next_rand() % 1000);
        int cents = (int)(next_rand() % 4) * 25;
        double ratio = (double)(next_rand() % 100000) / 4096.0;
        buf_printf(b, "\", \"score\": %d.%02d, \"ratio\": %.6e, ", whole, cents, ratio);
        const char *active = next_rand() % 2 ? "true" : "false";
        const char *parent = next_rand() % 5 ? "null" : "-1";
        buf_printf(b, "\"active\": %s, \"parent\": %s, \"tags\": [", active, parent);
        int nt = (int)(next_rand() % 5);
        for (int t = 0; t < nt; t++) buf_printf(b, "%s\"%s\"", t ? ", " : "", tags[next_rand() % 7]);
        int x = (int)(next_rand() % 2001) - 1000;
        int y = (int)(next_rand() % 2001) - 1000;
        buf_printf(b, "], \"pos\": {\"x\": %d, \"y\": %d, \"path\": [", x, y);
        int np = 1 + (int)(next_rand() % 8);
        for (int p = 0; p < np; p++) buf_printf(b, "%s%u", p ? "," : "", next_rand() % 100000);
        buf_puts(b, "]}, \"note\": \"");
        gen_word(b, 4 + (int)(next_rand() % 8));
        buf_puts(b, " ");
        gen_word(b, 3);
        buf_puts(b, "\"}");
    }
    buf_puts(b, "\n]}\n");
}

// ---- parser ----

typedef struct {
    const char *p, *end;
    int error;
} Parser;

static Node *new_node(Kind k) {
    Node *n = calloc(1, sizeof(Node));
    if (!n) abort();
    n->kind = k;
    return n;
}

static void skip_ws(Parser *ps) {
    while (ps->p < ps->end) {
        switch (*ps->p) {
        case ' ': case '\t': case '\n': case '\r':
            ps->p++;
            break;
        default:
            return;
        }
    }
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Parses a string literal (ps->p at the opening quote) into a malloc'd
// UTF-8 buffer.
static char *parse_string(Parser *ps, size_t *out_len) {
    ps->p++;
    size_t cap = 16, len = 0;
    char *s = malloc(cap);
    while (ps->p < ps->end && *ps->p != '"') {
        char c = *ps->p++;
        if (len + 4 >= cap) s = realloc(s, cap *= 2);
        if (c != '\\') {
            s[len++] = c;
            continue;
        }
        switch (*ps->p++) {
        case '"': s[len++] = '"'; break;
        case '\\': s[len++] = '\\'; break;
        case '/': s[len++] = '/'; break;
        case 'b': s[len++] = '\b'; break;
        case 'f': s[len++] = '\f'; break;
        case 'n': s[len++] = '\n'; break;
        case 'r': s[len++] = '\r'; break;
        case 't': s[len++] = '\t'; break;
        case 'u': {
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int h = hexval(*ps->p++);
                if (h < 0) ps->error = 1;
                v = v * 16 + h;
            }
            if (v < 0x80) {
                s[len++] = (char)v;
            } else if (v < 0x800) {
                s[len++] = (char)(0xC0 | (v >> 6));
                s[len++] = (char)(0x80 | (v & 0x3F));
            } else {
                s[len++] = (char)(0xE0 | (v >> 12));
                s[len++] = (char)(0x80 | ((v >> 6) & 0x3F));
                s[len++] = (char)(0x80 | (v & 0x3F));
            }
            break;
        }
        default:
            ps->error = 1;
        }
    }
    if (ps->p >= ps->end) ps->error = 1;
    ps->p++;
    s[len] = 0;
    *out_len = len;
    return s;
}

static int match(Parser *ps, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, word, n) == 0) {
        ps->p += n;
        return 1;
    }
    ps->error = 1;
    return 0;
}

static Node *parse_value(Parser *ps);

static Node *parse_container(Parser *ps, Kind kind, char close) {
    Node *n = new_node(kind);
    Node **tail = &n->child;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return n;
    }
    for (;;) {
        char *key = NULL;
        size_t klen = 0;
        if (kind == J_OBJECT) {
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != '"') {
                ps->error = 1;
                return n;
            }
            key = parse_string(ps, &klen);
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p++ != ':') ps->error = 1;
        }
        Node *v = parse_value(ps);
        if (!v) {
            free(key);
            return n;
        }
        if (key) {
            // an object's members are chained as key node, value node, ...
            Node *k = new_node(J_STRING);
            k->str = key;
            k->len = klen;
            k->next = v;
            *tail = k;
            tail = &v->next;
        } else {
            *tail = v;
            tail = &v->next;
        }
        skip_ws(ps);
        if (ps->p >= ps->end) {
            ps->error = 1;
            return n;
        }
        char c = *ps->p++;
        if (c == close) return n;
        if (c != ',') {
            ps->error = 1;
            return n;
        }
    }
}

static Node *parse_value(Parser *ps) {
    skip_ws(ps);
    if (ps->p >= ps->end) {
        ps->error = 1;
        return NULL;
    }
    Node *n;
    switch (*ps->p) {
    case '{':
        return parse_container(ps, J_OBJECT, '}');
    case '[':
        return parse_container(ps, J_ARRAY, ']');
    case '"':
        n = new_node(J_STRING);
        n->str = parse_string(ps, &n->len);
        return n;
    case 't':
        match(ps, "true");
        return new_node(J_TRUE);
    case 'f':
        match(ps, "false");
        return new_node(J_FALSE);
    case 'n':
        match(ps, "null");
        return new_node(J_NULL);
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': {
        char *endp;
        n = new_node(J_NUMBER);
        n->number = strtod(ps->p, &endp);
        if (endp == ps->p) ps->error = 1;
        ps->p = endp;
        return n;
    }
    default:
        ps->error = 1;
        return NULL;
    }
}

static void free_tree(Node *n) {
    while (n) {
        Node *next = n->next;
        if (n->kind == J_ARRAY || n->kind == J_OBJECT) free_tree(n->child);
        free(n->str);
        free(n);
        n = next;
    }
}

// ---- walking and serializing ----

typedef struct {
    unsigned counts[7];
    double sum;
    size_t strbytes;
    uint32_t keyhash;
    unsigned names;
} Stats;

static uint32_t fnv(const char *s, size_t n, uint32_t h) {
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static void walk(const Node *n, int in_object, Stats *st) {
    for (; n; n = n->next) {
        if (in_object) {
            // key node, then its value
            st->keyhash = fnv(n->str, n->len, st->keyhash);
            if (strcmp(n->str, "name") == 0) st->names++;
            n = n->next;
        }
        st->counts[n->kind]++;
        switch (n->kind) {
        case J_NUMBER: st->sum += n->number; break;
        case J_STRING: st->strbytes += n->len; break;
        case J_ARRAY: walk(n->child, 0, st); break;
        case J_OBJECT: walk(n->child, 1, st); break;
        default: break;
        }
    }
}

static void write_string(Buf *b, const char *s, size_t n) {
    buf_put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': buf_put(b, "\\\"", 2); break;
        case '\\': buf_put(b, "\\\\", 2); break;
        case '\n': buf_put(b, "\\n", 2); break;
        case '\t': buf_put(b, "\\t", 2); break;
        case '\r': buf_put(b, "\\r", 2); break;
        default:
            if (c < 0x20) buf_printf(b, "\\u%04x", c);
            else buf_put(b, (const char *)&s[i], 1);
        }
    }
    buf_put(b, "\"", 1);
}

static void serialize(Buf *b, const Node *n, int in_object) {
    int first = 1;
    for (; n; n = n->next) {
        if (!first) buf_put(b, ",", 1);
        first = 0;
        if (in_object) {
            write_string(b, n->str, n->len);
            buf_put(b, ":", 1);
            n = n->next;
        }
        switch (n->kind) {
        case J_NULL: buf_puts(b, "null"); break;
        case J_TRUE: buf_puts(b, "true"); break;
        case J_FALSE: buf_puts(b, "false"); break;
        case J_NUMBER: buf_printf(b, "%.17g", n->number); break;
        case J_STRING: write_string(b, n->str, n->len); break;
        case J_ARRAY:
            buf_put(b, "[", 1);
            serialize(b, n->child, 0);
            buf_put(b, "]", 1);
            break;
        case J_OBJECT:
            buf_put(b, "{", 1);
            serialize(b, n->child, 1);
            buf_put(b, "}", 1);
            break;
        }
    }
}

static Node *parse_doc(const Buf *b) {
    Parser ps = {b->data, b->data + b->len, 0};
    Node *root = parse_value(&ps);
    skip_ws(&ps);
    if (ps.error || ps.p != ps.end) {
        fprintf(stderr, "jsonparse: parse error at offset %ld\n", (long)(ps.p - b->data));
        exit(2);
    }
    return root;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 1;
    Buf doc = {0}, out = {0}, out2 = {0};
    Stats total = {{0}, 0, 0, 2166136261u, 0};
    uint32_t outhash = 2166136261u;
    size_t docbytes = 0;
    for (int r = 0; r < rounds; r++) {
        generate(&doc, (uint32_t)r);
        docbytes += doc.len;
        Node *root = parse_doc(&doc);
        walk(root, 0, &total);
        out.len = 0;
        serialize(&out, root, 0);
        Node *again = parse_doc(&out);
        out2.len = 0;
        serialize(&out2, again, 0);
        if (out.len != out2.len || strcmp(out.data, out2.data) != 0) {
            fprintf(stderr, "jsonparse: round trip differs in round %d\n", r);
            return 3;
        }
        outhash = fnv(out.data, out.len, outhash);
        free_tree(root);
        free_tree(again);
    }
    printf("rounds %d, %zu bytes parsed\n", rounds, docbytes);
    printf("nodes: null %u false %u true %u number %u string %u array %u object %u\n", total.counts[0],
           total.counts[1], total.counts[2], total.counts[3], total.counts[4], total.counts[5],
           total.counts[6]);
    printf("number sum %.6f, string bytes %zu, names %u\n", total.sum, total.strbytes, total.names);
    printf("key hash %08x, output hash %08x\n", total.keyhash, outhash);
    free(doc.data);
    free(out.data);
    free(out2.data);
    return 0;
}
