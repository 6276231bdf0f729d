// SQLite (the bundled amalgamation of libsqlite3-sys) on an in-memory
// database: a schema with an index and a foreign key, bulk inserts through
// prepared statements inside transactions, then queries: aggregates with
// GROUP BY, a join, ORDER BY ... LIMIT, LIKE, a correlated subquery,
// UPDATE and DELETE. The results are hashed and summarized.
//
// usage: sqlite_bench ROWS
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite3.h"

static sqlite3 *db;
static uint32_t hash = 2166136261u;

static void die(const char *what) {
    fprintf(stderr, "sqlite_bench: %s: %s\n", what, sqlite3_errmsg(db));
    exit(2);
}

static void exec(const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "sqlite_bench: %s: %s\n", sql, err);
        exit(2);
    }
}

static void hash_text(const unsigned char *s) {
    if (!s) s = (const unsigned char *)"<null>";
    for (; *s; s++) hash = (hash ^ *s) * 16777619u;
    hash = (hash ^ 0xff) * 16777619u;
}

// Runs a query, hashes every column of every row as text; returns the row
// count and copies the first row's text into first (if given).
static int query(const char *sql, char *first, size_t firstsize) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) die(sql);
    int rows = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int n = sqlite3_column_count(st);
        size_t used = 0;
        for (int i = 0; i < n; i++) {
            const unsigned char *t = sqlite3_column_text(st, i);
            hash_text(t);
            if (rows == 0 && first && used < firstsize)
                used += (size_t)snprintf(first + used, firstsize - used, "%s%s", i ? "|" : "", t ? (const char *)t : "NULL");
        }
        rows++;
    }
    if (rc != SQLITE_DONE) die(sql);
    sqlite3_finalize(st);
    return rows;
}

static uint32_t rng = 12345;
static uint32_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static const char *cities[] = {"Lisbon", "Oslo", "Quito", "Hanoi", "Accra", "Lima", "Perth", "Turin", "Basel", "Cork"};
static const char *items[] = {"apple", "bread", "cheese", "dates", "eggs", "flour", "grapes", "honey", "ink", "jam", "kale", "lemon"};

int main(int argc, char **argv) {
    int rows = argc > 1 ? atoi(argv[1]) : 1000;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) die("open");
    exec("PRAGMA foreign_keys = ON;"
         "CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT, born INTEGER);"
         "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER REFERENCES customer(id),"
         " item TEXT, qty INTEGER, price REAL, note TEXT);"
         "CREATE INDEX orders_customer ON orders(customer);");

    sqlite3_stmt *ins_c, *ins_o;
    if (sqlite3_prepare_v2(db, "INSERT INTO customer VALUES (?, ?, ?, ?)", -1, &ins_c, NULL)) die("prepare");
    if (sqlite3_prepare_v2(db, "INSERT INTO orders (customer, item, qty, price, note) VALUES (?, ?, ?, ?, ?)", -1,
                           &ins_o, NULL))
        die("prepare");
    int ncust = rows / 10 + 1;
    char buf[128];
    exec("BEGIN");
    for (int i = 1; i <= ncust; i++) {
        // one draw per statement: argument evaluation order is unspecified
        char c1 = (char)('a' + rnd() % 26);
        char c2 = (char)('a' + rnd() % 26);
        snprintf(buf, sizeof buf, "customer-%05d-%c%c", i, c1, c2);
        sqlite3_bind_int(ins_c, 1, i);
        sqlite3_bind_text(ins_c, 2, buf, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins_c, 3, cities[rnd() % 10], -1, SQLITE_STATIC);
        sqlite3_bind_int(ins_c, 4, 1940 + (int)(rnd() % 65));
        if (sqlite3_step(ins_c) != SQLITE_DONE) die("insert customer");
        sqlite3_reset(ins_c);
    }
    exec("COMMIT");
    for (int i = 0; i < rows; i++) {
        if (i % 500 == 0) exec("BEGIN");
        sqlite3_bind_int(ins_o, 1, 1 + (int)(rnd() % (uint32_t)ncust));
        sqlite3_bind_text(ins_o, 2, items[rnd() % 12], -1, SQLITE_STATIC);
        sqlite3_bind_int(ins_o, 3, 1 + (int)(rnd() % 20));
        sqlite3_bind_double(ins_o, 4, (double)(rnd() % 10000) / 100.0);
        if (rnd() % 4 == 0) {
            unsigned door = rnd() % 200;
            unsigned rings = rnd() % 5;
            snprintf(buf, sizeof buf, "deliver to door %u, ring %u times", door, rings);
            sqlite3_bind_text(ins_o, 5, buf, -1, SQLITE_TRANSIENT);
        } else {
            sqlite3_bind_null(ins_o, 5);
        }
        if (sqlite3_step(ins_o) != SQLITE_DONE) die("insert order");
        sqlite3_reset(ins_o);
        if (i % 500 == 499 || i == rows - 1) exec("COMMIT");
    }
    sqlite3_finalize(ins_c);
    sqlite3_finalize(ins_o);

    char top_city[128] = "", top_cust[128] = "", item_stats[128] = "", late[128] = "";
    int n1 = query("SELECT c.city, count(*), sum(o.qty), printf('%.2f', sum(o.qty * o.price))"
                   " FROM orders o JOIN customer c ON c.id = o.customer"
                   " GROUP BY c.city ORDER BY sum(o.qty * o.price) DESC",
                   top_city, sizeof top_city);
    int n2 = query("SELECT c.name, count(o.id) AS n, printf('%.2f', avg(o.price)) FROM customer c"
                   " LEFT JOIN orders o ON o.customer = c.id GROUP BY c.id ORDER BY n DESC, c.name LIMIT 25",
                   top_cust, sizeof top_cust);
    int n3 = query("SELECT item, count(*), min(price), max(price), printf('%.3f', avg(qty)) FROM orders"
                   " WHERE note LIKE '%door 1%' GROUP BY item ORDER BY item",
                   item_stats, sizeof item_stats);
    exec("UPDATE orders SET price = round(price * 1.1, 2) WHERE item IN ('apple', 'honey', 'jam')");
    exec("DELETE FROM orders WHERE qty > 18");
    int n4 = query("SELECT name, born, (SELECT count(*) FROM orders o WHERE o.customer = c.id AND o.qty > 10)"
                   " AS big FROM customer c WHERE born > 1990 ORDER BY big DESC, name LIMIT 50",
                   late, sizeof late);
    char total[128] = "";
    query("SELECT count(*), sum(qty), printf('%.2f', sum(price)), count(note) FROM orders", total, sizeof total);

    printf("%d customers, %d orders inserted; result hash %08x\n", ncust, rows, hash);
    printf("cities %d, top: %s\n", n1, top_city);
    printf("customers listed %d, top: %s\n", n2, top_cust);
    printf("items with door-1 notes %d, first: %s\n", n3, item_stats);
    printf("young customers %d, first: %s\n", n4, late);
    printf("after update/delete: %s\n", total);
    sqlite3_close(db);
    return 0;
}
