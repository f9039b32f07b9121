export const P = () => <div className="card title tab-github tab-2 tab-[3] scrollbar-hidden hocus:underline dark:bg-black dark:hover:text-white animate-wiggle bg-surface" />;
