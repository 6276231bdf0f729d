// Heap data behind pointers, the way ordinary C programs keep it:
//  1. shapes as structs with a vtable of function pointers (area, perimeter,
//     scale, describe with snprintf), kept in a linked list and sorted by
//     qsort through an array of pointers;
//  2. binary trees allocated and freed node by node (the classic
//     allocation benchmark);
//  3. a word-count dictionary: chained hash table of strdup'd keys over
//     generated text, then the entries sorted by count and name (strcmp);
//  4. an LRU cache: a doubly linked list threaded through a hash table.
//
// usage: objects ROUNDS
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t h32(uint32_t h, uint32_t v) { return (h ^ v) * 16777619u; }
static uint32_t hstr(uint32_t h, const char *s) {
    while (*s) h = h32(h, (unsigned char)*s++);
    return h;
}

static uint32_t rng_state;
static uint32_t rnd(void) {
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

// ---------------------------------------------------------------- shapes

typedef struct Shape Shape;
typedef struct {
    const char *name;
    double (*area)(const Shape *);
    double (*perimeter)(const Shape *);
    void (*scale)(Shape *, double);
    int (*describe)(const Shape *, char *, size_t);
    void (*destroy)(Shape *);
} ShapeVT;

struct Shape {
    const ShapeVT *vt;
    Shape *next;
    int id;
};

typedef struct { Shape base; double r; } Circle;
typedef struct { Shape base; double w, h; } Rect;
typedef struct { Shape base; double a, b, c; } Triangle;
typedef struct { Shape base; int n; double *xy; } Polygon;

static double circle_area(const Shape *s) { const Circle *c = (const Circle *)s; return M_PI * c->r * c->r; }
static double circle_perim(const Shape *s) { return 2 * M_PI * ((const Circle *)s)->r; }
static void circle_scale(Shape *s, double k) { ((Circle *)s)->r *= k; }
static int circle_describe(const Shape *s, char *buf, size_t n) {
    return snprintf(buf, n, "circle#%d r=%.3f", s->id, ((const Circle *)s)->r);
}

static double rect_area(const Shape *s) { const Rect *r = (const Rect *)s; return r->w * r->h; }
static double rect_perim(const Shape *s) { const Rect *r = (const Rect *)s; return 2 * (r->w + r->h); }
static void rect_scale(Shape *s, double k) { Rect *r = (Rect *)s; r->w *= k; r->h *= k; }
static int rect_describe(const Shape *s, char *buf, size_t n) {
    const Rect *r = (const Rect *)s;
    return snprintf(buf, n, "rect#%d %.2fx%.2f", s->id, r->w, r->h);
}

static double tri_area(const Shape *s) {
    const Triangle *t = (const Triangle *)s;
    double p = (t->a + t->b + t->c) / 2;
    return sqrt(p * (p - t->a) * (p - t->b) * (p - t->c));
}
static double tri_perim(const Shape *s) { const Triangle *t = (const Triangle *)s; return t->a + t->b + t->c; }
static void tri_scale(Shape *s, double k) { Triangle *t = (Triangle *)s; t->a *= k; t->b *= k; t->c *= k; }
static int tri_describe(const Shape *s, char *buf, size_t n) {
    const Triangle *t = (const Triangle *)s;
    return snprintf(buf, n, "triangle#%d (%.1f, %.1f, %.1f)", s->id, t->a, t->b, t->c);
}

static double poly_area(const Shape *s) {
    const Polygon *p = (const Polygon *)s;
    double a = 0;
    for (int i = 0; i < p->n; i++) {
        int j = (i + 1) % p->n;
        a += p->xy[2 * i] * p->xy[2 * j + 1] - p->xy[2 * j] * p->xy[2 * i + 1];
    }
    return fabs(a) / 2;
}
static double poly_perim(const Shape *s) {
    const Polygon *p = (const Polygon *)s;
    double d = 0;
    for (int i = 0; i < p->n; i++) {
        int j = (i + 1) % p->n;
        d += hypot(p->xy[2 * j] - p->xy[2 * i], p->xy[2 * j + 1] - p->xy[2 * i + 1]);
    }
    return d;
}
static void poly_scale(Shape *s, double k) {
    Polygon *p = (Polygon *)s;
    for (int i = 0; i < 2 * p->n; i++) p->xy[i] *= k;
}
static int poly_describe(const Shape *s, char *buf, size_t n) {
    return snprintf(buf, n, "polygon#%d with %d vertices", s->id, ((const Polygon *)s)->n);
}
static void poly_destroy(Shape *s) {
    free(((Polygon *)s)->xy);
    free(s);
}
static void plain_destroy(Shape *s) { free(s); }

static const ShapeVT circle_vt = {"circle", circle_area, circle_perim, circle_scale, circle_describe, plain_destroy};
static const ShapeVT rect_vt = {"rect", rect_area, rect_perim, rect_scale, rect_describe, plain_destroy};
static const ShapeVT tri_vt = {"triangle", tri_area, tri_perim, tri_scale, tri_describe, plain_destroy};
static const ShapeVT poly_vt = {"polygon", poly_area, poly_perim, poly_scale, poly_describe, poly_destroy};

static Shape *make_shape(int id) {
    Shape *s;
    switch (rnd() % 4) {
    case 0: {
        Circle *c = malloc(sizeof *c);
        c->r = 1 + rnd() % 1000 / 100.0;
        s = &c->base;
        s->vt = &circle_vt;
        break;
    }
    case 1: {
        Rect *r = malloc(sizeof *r);
        r->w = 1 + rnd() % 500 / 10.0;
        r->h = 1 + rnd() % 500 / 10.0;
        s = &r->base;
        s->vt = &rect_vt;
        break;
    }
    case 2: {
        Triangle *t = malloc(sizeof *t);
        t->a = 3 + rnd() % 40;
        t->b = 3 + rnd() % 40;
        double lo = fabs(t->a - t->b) + 1, hi = t->a + t->b - 1;
        t->c = lo + (double)(rnd() % 1000) / 1000.0 * (hi - lo);
        s = &t->base;
        s->vt = &tri_vt;
        break;
    }
    default: {
        Polygon *p = malloc(sizeof *p);
        p->n = 3 + (int)(rnd() % 10);
        p->xy = malloc(sizeof(double) * 2 * (size_t)p->n);
        for (int i = 0; i < p->n; i++) {
            double ang = 2 * M_PI * i / p->n;
            double rad = 5 + rnd() % 100 / 10.0;
            p->xy[2 * i] = rad * cos(ang);
            p->xy[2 * i + 1] = rad * sin(ang);
        }
        s = &p->base;
        s->vt = &poly_vt;
    }
    }
    s->id = id;
    s->next = NULL;
    return s;
}

static int by_area(const void *a, const void *b) {
    const Shape *x = *(const Shape *const *)a, *y = *(const Shape *const *)b;
    double ax = x->vt->area(x), ay = y->vt->area(y);
    if (ax < ay) return -1;
    if (ax > ay) return 1;
    return x->id - y->id;
}

static uint32_t shapes_round(int count) {
    Shape *head = NULL, **tail = &head;
    for (int i = 0; i < count; i++) {
        *tail = make_shape(i);
        tail = &(*tail)->next;
    }
    Shape **arr = malloc(sizeof(Shape *) * (size_t)count);
    int n = 0;
    double total = 0;
    for (Shape *s = head; s; s = s->next) {
        if (s->id % 3 == 0) s->vt->scale(s, 1.5);
        total += s->vt->area(s) + s->vt->perimeter(s);
        arr[n++] = s;
    }
    qsort(arr, (size_t)n, sizeof *arr, by_area);
    uint32_t h = 2166136261u;
    char buf[96];
    for (int i = 0; i < n; i += 7) {
        arr[i]->vt->describe(arr[i], buf, sizeof buf);
        h = hstr(h, buf);
        h = hstr(h, arr[i]->vt->name);
    }
    snprintf(buf, sizeof buf, "%.4f", total);
    h = hstr(h, buf);
    free(arr);
    while (head) {
        Shape *next = head->next;
        head->vt->destroy(head);
        head = next;
    }
    return h;
}

// ---------------------------------------------------------- binary trees

typedef struct TreeNode {
    struct TreeNode *left, *right;
} TreeNode;

static TreeNode *bottom_up(int depth) {
    TreeNode *t = malloc(sizeof *t);
    if (depth > 0) {
        t->left = bottom_up(depth - 1);
        t->right = bottom_up(depth - 1);
    } else {
        t->left = t->right = NULL;
    }
    return t;
}

static long check(const TreeNode *t) {
    return 1 + (t->left ? check(t->left) + check(t->right) : 0);
}

static void free_tree(TreeNode *t) {
    if (t->left) {
        free_tree(t->left);
        free_tree(t->right);
    }
    free(t);
}

static uint32_t trees_round(int max_depth) {
    uint32_t h = 2166136261u;
    TreeNode *long_lived = bottom_up(max_depth);
    for (int d = 4; d <= max_depth; d += 2) {
        int iters = 1 << (max_depth - d + 4);
        long sum = 0;
        for (int i = 0; i < iters; i++) {
            TreeNode *t = bottom_up(d);
            sum += check(t);
            free_tree(t);
        }
        h = h32(h, (uint32_t)sum);
    }
    h = h32(h, (uint32_t)check(long_lived));
    free_tree(long_lived);
    return h;
}

// ------------------------------------------------------------ dictionary

typedef struct Entry {
    char *word;
    int count;
    struct Entry *next;
} Entry;

typedef struct {
    Entry **slots;
    size_t nslots, size;
} Dict;

static uint32_t hash_word(const char *s) {
    uint32_t h = 5381;
    while (*s) h = h * 33 + (unsigned char)*s++;
    return h;
}

static void dict_grow(Dict *d) {
    size_t n = d->nslots ? d->nslots * 2 : 64;
    Entry **slots = calloc(n, sizeof *slots);
    for (size_t i = 0; i < d->nslots; i++) {
        Entry *e = d->slots[i];
        while (e) {
            Entry *next = e->next;
            size_t k = hash_word(e->word) & (n - 1);
            e->next = slots[k];
            slots[k] = e;
            e = next;
        }
    }
    free(d->slots);
    d->slots = slots;
    d->nslots = n;
}

static void dict_add(Dict *d, const char *word) {
    if (d->size * 4 >= d->nslots * 3) dict_grow(d);
    size_t k = hash_word(word) & (d->nslots - 1);
    for (Entry *e = d->slots[k]; e; e = e->next) {
        if (strcmp(e->word, word) == 0) {
            e->count++;
            return;
        }
    }
    Entry *e = malloc(sizeof *e);
    e->word = strdup(word);
    e->count = 1;
    e->next = d->slots[k];
    d->slots[k] = e;
    d->size++;
}

static int by_count(const void *a, const void *b) {
    const Entry *x = *(const Entry *const *)a, *y = *(const Entry *const *)b;
    if (x->count != y->count) return y->count - x->count;
    return strcmp(x->word, y->word);
}

static const char *syl[] = {"an", "ber", "co", "di", "el", "fa", "go", "hu", "is", "jo", "ka", "li", "mo", "nu"};

static uint32_t words_round(int nwords, char *top, size_t topsize) {
    Dict d = {0};
    char text[64];
    for (int i = 0; i < nwords; i++) {
        // a skewed distribution: short words are frequent
        int nsyl = 1 + (int)(rnd() % 4);
        if (nsyl > 2 && rnd() % 2) nsyl = 1;
        size_t len = 0;
        for (int s = 0; s < nsyl; s++) {
            const char *p = syl[rnd() % 14];
            size_t l = strlen(p);
            memcpy(text + len, p, l);
            len += l;
        }
        text[len] = 0;
        dict_add(&d, text);
    }
    Entry **arr = malloc(sizeof *arr * d.size);
    size_t n = 0;
    for (size_t i = 0; i < d.nslots; i++)
        for (Entry *e = d.slots[i]; e; e = e->next) arr[n++] = e;
    qsort(arr, n, sizeof *arr, by_count);
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h = hstr(h, arr[i]->word);
        h = h32(h, (uint32_t)arr[i]->count);
    }
    size_t used = 0;
    for (size_t i = 0; i < 3 && i < n; i++)
        used += (size_t)snprintf(top + used, topsize - used, "%s%s=%d", i ? " " : "", arr[i]->word, arr[i]->count);
    for (size_t i = 0; i < n; i++) {
        free(arr[i]->word);
        free(arr[i]);
    }
    free(arr);
    free(d.slots);
    return h32(h, (uint32_t)n);
}

// ------------------------------------------------------------- LRU cache

typedef struct LruNode {
    uint32_t key, value;
    struct LruNode *prev, *next;  // recency list
    struct LruNode *chain;        // hash chain
} LruNode;

typedef struct {
    LruNode head;  // sentinel: head.next = most recent
    LruNode **table;
    uint32_t mask;
    int size, capacity;
    long hits, misses;
} Lru;

static void lru_unlink(LruNode *n) {
    n->prev->next = n->next;
    n->next->prev = n->prev;
}

static void lru_push_front(Lru *c, LruNode *n) {
    n->next = c->head.next;
    n->prev = &c->head;
    c->head.next->prev = n;
    c->head.next = n;
}

static uint32_t lru_get(Lru *c, uint32_t key) {
    uint32_t k = (key * 2654435761u) & c->mask;
    for (LruNode *n = c->table[k]; n; n = n->chain) {
        if (n->key == key) {
            c->hits++;
            lru_unlink(n);
            lru_push_front(c, n);
            return n->value;
        }
    }
    c->misses++;
    LruNode *n;
    if (c->size == c->capacity) {
        // evict the least recent: unlink from the list and its hash chain
        n = c->head.prev;
        lru_unlink(n);
        LruNode **pp = &c->table[(n->key * 2654435761u) & c->mask];
        while (*pp != n) pp = &(*pp)->chain;
        *pp = n->chain;
        free(n);
        c->size--;
    }
    n = malloc(sizeof *n);
    n->key = key;
    n->value = key * 7 + 1;
    n->chain = c->table[k];
    c->table[k] = n;
    lru_push_front(c, n);
    c->size++;
    return n->value;
}

static uint32_t lru_round(int ops) {
    Lru c = {0};
    c.head.next = c.head.prev = &c.head;
    c.capacity = 1000;
    c.mask = 2047;
    c.table = calloc(c.mask + 1, sizeof *c.table);
    uint32_t h = 0;
    for (int i = 0; i < ops; i++) {
        // mostly a hot set, sometimes a scan
        uint32_t key = rnd() % 8 ? rnd() % 1200 : rnd() % 100000;
        h = h32(h, lru_get(&c, key));
    }
    for (LruNode *n = c.head.next; n != &c.head;) {
        LruNode *next = n->next;
        free(n);
        n = next;
    }
    free(c.table);
    return h32(h32(h, (uint32_t)c.hits), (uint32_t)c.misses);
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 1;
    uint32_t hs = 0, ht = 0, hw = 0, hl = 0;
    char top[128] = "";
    for (int r = 0; r < rounds; r++) {
        rng_state = (uint32_t)r;
        hs = h32(hs, shapes_round(3000));
        ht = h32(ht, trees_round(12));
        hw = h32(hw, words_round(40000, top, sizeof top));
        hl = h32(hl, lru_round(60000));
    }
    printf("rounds %d\n", rounds);
    printf("shapes %08x trees %08x words %08x lru %08x\n", hs, ht, hw, hl);
    printf("top words of the last round: %s\n", top);
    return 0;
}
