export const A = () => (
  <div className="z-[100] -order-1 grid-cols-[repeat(auto-fill,minmax(200px,1fr))] min-w-[20ch] max-h-[calc(100vh-4rem)] p-[calc(1rem+2px)] text-[clamp(1rem,2vw,2rem)]">
    <span className="bg-[rgb(255_0_0/0.5)] bg-[var(--x)] text-[var(--size)] shadow-[0_0_10px_rgba(0,0,0,0.5)] transition-[height] duration-[2s] ease-[cubic-bezier(0.1,0.7,1,0.1)]" />
    <span className="animate-[wiggle_1s_ease-in-out_infinite] size-1/2 w-[min(100%,600px)] translate-y-[-50%] -translate-y-[50%] rotate-[-45deg] opacity-(--o)" />
    <span className="border-[3px] rounded-t-[4px] leading-snug line-clamp-[7] caret-transparent accent-auto appearance-auto cursor-[url(x.png),_pointer]" />
    <span className="outline-[3px] ring-offset-[3px] ring-[5px] divide-dashed space-y-reverse from-[#123456] to-[30%] bg-radial bg-conic bg-linear-45 mask-linear-to-b mask-radial" />
    <span className="sm:container max-w-(--my-width) h-(--h) m-(--m) -m-(--m) gap-[2vw] inset-[calc(50%-1px)] tracking-(--t) leading-(--l) font-[Inter] font-(--f)" />
    <span className="text-(length:--size) border-(length:--w) bg-(image:--img) stroke-[3] fill-[#abc] outline-offset-[3px] underline-offset-[3px] decoration-(--c) columns-(--n) order-[13]" />
  </div>
);
