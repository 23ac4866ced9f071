// std::thread, std::async and std::atomic.
#include <atomic>
#include <cstdio>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

__attribute__((noinline)) long work(long x) { return x * x % 1009; }

int main() {
  std::atomic<long> counter{0};
  std::mutex m;
  long guarded = 0;
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; i++)
    ts.emplace_back([&, i] {
      for (int k = 0; k < 2000; k++) {
        counter.fetch_add(work(i + k), std::memory_order_relaxed);
        std::lock_guard<std::mutex> g(m);
        guarded += i;
      }
    });
  for (auto &t : ts) t.join();
  std::vector<std::future<long>> fs;
  for (int i = 0; i < 4; i++) fs.push_back(std::async(std::launch::async, [i] { long s = 0; for (int k = 0; k < 500; k++) s += work(i * k); return s; }));
  long s = 0;
  for (auto &f : fs) s += f.get();
  std::printf("atomic=%ld guarded=%ld async=%ld\n", counter.load(), guarded, s);
  return 0;
}
