// A rate limiter and a leaderboard on an in-process kv store, written as
// with go-redis: only the import and the constructor differ.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	kv "example.invalid/kv/bindings/go"
)

// allow is a fixed-window rate limiter: at most limit calls per window
// for a user. INCR and EXPIRE run in one transaction.
func allow(ctx context.Context, rdb *kv.Client, user string, limit int64, window time.Duration, now time.Time) (bool, error) {
	key := fmt.Sprintf("rate:%s:%d", user, now.UnixNano()/int64(window))
	var incr *kv.IntCmd
	_, err := rdb.TxPipelined(ctx, func(pipe kv.Pipeliner) error {
		incr = pipe.Incr(ctx, key)
		pipe.Expire(ctx, key, window)
		return nil
	})
	if err != nil {
		return false, err
	}
	return incr.Val() <= limit, nil
}

func main() {
	ctx := context.Background()
	rdb := kv.NewClient(&kv.Options{})
	defer rdb.Close()

	// Rate limiter: 8 goroutines each try 10 calls, 5 allowed per user.
	// One clock reading, so that the run stays in one window.
	now := time.Now()
	var wg sync.WaitGroup
	allowed := make([]int, 8)
	for g := range allowed {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := fmt.Sprintf("user%d", g%4) // two goroutines per user
			for i := 0; i < 10; i++ {
				ok, err := allow(ctx, rdb, user, 5, time.Minute, now)
				if err != nil {
					panic(err)
				}
				if ok {
					allowed[g]++
				}
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, n := range allowed {
		total += n
	}
	fmt.Printf("rate limiter: %d of 80 calls allowed (4 users x 5)\n", total)
	if total != 20 {
		fail("expected 20 allowed calls")
	}

	// Leaderboard: scores with ZINCRBY, the top three, a player's rank.
	scores := map[string]float64{"ada": 120, "bob": 95, "cy": 130, "dee": 80, "eve": 110}
	for player, s := range scores {
		rdb.ZAdd(ctx, "board", kv.Z{Score: s, Member: player})
	}
	rdb.ZIncrBy(ctx, "board", 30, "bob") // bob: 125
	top, err := rdb.ZRevRangeWithScores(ctx, "board", 0, 2).Result()
	if err != nil {
		fail(err.Error())
	}
	fmt.Println("leaderboard:")
	for i, z := range top {
		fmt.Printf("  %d. %-4s %4.0f\n", i+1, z.Member, z.Score)
	}
	rank, _ := rdb.ZRevRank(ctx, "board", "eve").Result()
	fmt.Printf("eve is #%d\n", rank+1)
	if top[0].Member != "cy" || top[1].Member != "bob" || rank != 3 {
		fail("unexpected leaderboard")
	}
	if _, err := rdb.ZRevRank(ctx, "board", "zed").Result(); !errors.Is(err, kv.Nil) {
		fail("a missing player should give kv.Nil")
	}

	// A work queue: a consumer blocked in BLPOP gets what a producer pushes.
	go func() {
		time.Sleep(10 * time.Millisecond)
		rdb.RPush(ctx, "jobs", "resize:42")
	}()
	job, err := rdb.BLPop(ctx, 5*time.Second, "jobs").Result()
	if err != nil {
		fail(err.Error())
	}
	fmt.Printf("worker got %s from %s\n", job[1], job[0])
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "example failed:", msg)
	os.Exit(1)
}
