# A process pool: needs POSIX semaphores, i.e. a (private) /dev/shm.
from multiprocessing import Pool

if __name__ == "__main__":
    with Pool(2) as p:
        print(sum(p.map(abs, range(-5, 5))))
