-- A Lua workload for the Lua 5.4 interpreter built to wasm (lua.wasm reads
-- this script from stdin). Usage: lua - ROUNDS [small]
-- (`small`: a tenth of the work per round, for smoke tests)
-- Deterministic on purpose: a fixed random seed, and no output that depends
-- on the iteration order of pairs() (string hashes are seeded per run).
local rounds = tonumber(arg[1]) or 1
local k = arg[2] == "small" and 10 or 1
math.randomseed(42)

local function fnv(h, s)
  for i = 1, #s do h = ((h ~ s:byte(i)) * 16777619) & 0xffffffff end
  return h
end

-- 1. binary trees: tables as tree nodes, allocation and garbage collection
local function bottom_up(d)
  if d == 0 then return {} end
  d = d - 1
  return { bottom_up(d), bottom_up(d) }
end
local function check(t)
  if t[1] then return 1 + check(t[1]) + check(t[2]) end
  return 1
end
local function trees(max_depth)
  local long_lived = bottom_up(max_depth)
  local total = 0
  for d = 4, max_depth, 2 do
    local iters = 1 << (max_depth - d + 4)
    for _ = 1, iters do total = total + check(bottom_up(d)) end
  end
  return total + check(long_lived)
end

-- 2. objects: classes with metatables, method calls, closures
local Account = {}
Account.__index = Account
function Account.new(name, balance)
  return setmetatable({ name = name, balance = balance, history = {} }, Account)
end
function Account:deposit(v)
  self.balance = self.balance + v
  self.history[#self.history + 1] = v
end
function Account:withdraw(v)
  if v > self.balance then return false end
  self.balance = self.balance - v
  self.history[#self.history + 1] = -v
  return true
end
local Savings = setmetatable({}, { __index = Account })
Savings.__index = Savings
function Savings.new(name, balance, rate)
  local s = Account.new(name, balance)
  s.rate = rate
  return setmetatable(s, Savings)
end
function Savings:accrue() self:deposit(self.balance * self.rate // 100) end

local function bank(n)
  local accounts = {}
  for i = 1, 200 do
    accounts[i] = (i % 3 == 0) and Savings.new("s" .. i, 1000 + i, 2) or Account.new("a" .. i, 500 + i)
  end
  local refused = 0
  for step = 1, n do
    local a = accounts[math.random(#accounts)]
    local b = accounts[math.random(#accounts)]
    local amount = math.random(1, 300)
    if a:withdraw(amount) then b:deposit(amount) else refused = refused + 1 end
    if step % 1000 == 0 then
      for _, acc in ipairs(accounts) do if acc.accrue then acc:accrue() end end
    end
  end
  local total, entries = 0, 0
  for _, acc in ipairs(accounts) do total = total + acc.balance; entries = entries + #acc.history end
  table.sort(accounts, function(x, y)
    if x.balance ~= y.balance then return x.balance > y.balance end
    return x.name < y.name
  end)
  return string.format("total %d, %d entries, %d refused, richest %s", total, entries, refused, accounts[1].name)
end

-- 3. strings: building, formatting, patterns, gsub, word counts
local words = { "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit",
  "sed", "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna" }
local function text_work(nlines)
  local lines = {}
  for i = 1, nlines do
    local parts = {}
    for j = 1, 6 + i % 7 do parts[j] = words[math.random(#words)] end
    lines[i] = string.format("%05d: %s. (%d)", i, table.concat(parts, " "), #parts)
  end
  local text = table.concat(lines, "\n")
  local counts = {}
  for w in text:gmatch("%a+") do counts[w] = (counts[w] or 0) + 1 end
  local keys = {}
  for k in pairs(counts) do keys[#keys + 1] = k end
  table.sort(keys, function(x, y)
    if counts[x] ~= counts[y] then return counts[x] > counts[y] end
    return x < y
  end)
  local upper = text:gsub("(%a)(%a*)", function(a, b) return a:upper() .. b end)
  local nums = 0
  for n in upper:gmatch("%((%d+)%)") do nums = nums + tonumber(n) end
  local rev = {}
  for i = 1, #keys do rev[i] = keys[i]:reverse():rep(2) end
  return fnv(fnv(2166136261, upper), table.concat(rev, ",")),
    string.format("%d bytes, top %s=%d, %s=%d, sum %d", #text, keys[1], counts[keys[1]], keys[2], counts[keys[2]], nums)
end

-- 4. numbers: a float loop (mandelbrot) and integer bit mixing
local function mandel(size)
  local inside = 0
  for y = 0, size - 1 do
    local ci = 2.0 * y / size - 1.0
    for x = 0, size - 1 do
      local cr = 2.5 * x / size - 2.0
      local zr, zi, i = 0.0, 0.0, 0
      while i < 50 and zr * zr + zi * zi < 4.0 do
        zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
        i = i + 1
      end
      if i == 50 then inside = inside + 1 end
    end
  end
  return inside
end

local function sieve(n)
  local composite, count = {}, 0
  for i = 2, n do
    if not composite[i] then
      count = count + 1
      for j = i * i, n, i do composite[j] = true end
    end
  end
  return count
end

local h, summary = 2166136261, {}
for r = 1, rounds do
  local t = trees(k == 1 and 10 or 6)
  local b = bank(5000 // k)
  local th, ts = text_work(400 // k)
  local m = mandel(50 // k)
  local p = sieve(20000 // k)
  h = fnv(h, string.format("%d|%s|%d|%d|%d|%s", t, b, th, m, p, ts))
  summary = { t, b, ts, m, p }
end
print(string.format("rounds %d, hash %08x", rounds, h))
print("trees " .. summary[1] .. ", mandelbrot " .. summary[4] .. ", primes " .. summary[5])
print("bank: " .. summary[2])
print("text: " .. summary[3])
